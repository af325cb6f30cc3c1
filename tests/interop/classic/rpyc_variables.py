# rpyc_variables.py

import rpyc
import sys
 
if len(sys.argv) < 2:
   exit("Usage {} SERVER".format(sys.argv[0]))
 
server = sys.argv[1]
 
conn = rpyc.classic.connect(server)
# execute ejecutara un codigo en el servidor
# aqui solo creamos una variable y le cambiamos su valor
conn.execute('x = 21')
conn.execute('x *= 2')
print(conn.eval('x'))     # 42

# podemos hacer lo mismo con estructuras de datos
conn.execute('scores = { "Foo" : 10 }')
conn.execute('scores["Foo"] += 1')
conn.execute('scores["Bar"] = 42')
 
# eval me permite copiar un elemento al cliente
local_scores = conn.eval('scores')
print(local_scores)         # {'Foo': 11, 'Bar': 42}
print(local_scores['Foo'])  # 11
 
# namespace me permite usar elementos en la maquina remota. Se esta tomando la llave del diccionario y modificando uno de sus valores.
conn.namespace["scores"]["Bar"] += 58
print(conn.eval('scores'))  # {'Foo': 11, 'Bar': 100}

print(local_scores)
