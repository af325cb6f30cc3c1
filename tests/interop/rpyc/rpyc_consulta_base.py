# rpyc_consulta_base.py
import rpyc
import sys

if len(sys.argv) < 2:
   exit("Usage {} SERVER".format(sys.argv[0]))
 
server = sys.argv[1]

# La conexion se realiza por el servicio creado en el script
conn = rpyc.connect(server, 18861)

# El servicio es expuesto como la raiz del objeto conexion
print(conn.root)

# Este objeto raiz es una referencia a la instancia del servicio que esta ejecutandose en el servidor. Esta puede ser accesada  por el usuario e invocar sus atributos y metodos.
print(conn.root.get_answer())
print(conn.root.the_real_answer_though)

# Este metodo no puede ser accedido
print(conn.root.get_question())
