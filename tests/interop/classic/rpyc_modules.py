# rpyc_modules.py

import rpyc
import sys

# Si no envio parametros, se mostrara el siguiente mensaje con el nombre del script
if len(sys.argv) < 2:
   exit("Usage {} SERVER".format(sys.argv[0]))
 
server = sys.argv[1]

# Para ejecutarlo debo enviar la direccion de conexion
# Ejemplo: python rpyc_modules.py localhost
# Primero realizamos la conexion al servidor remoto
conn = rpyc.classic.connect(server)

# Con la conexion realizada, procedemos a ejecutar comandos en el servidor
# Podemos adjuntar un nombre local a un objeto Python remoto. Por ejemplo, esta línea conecta el nombre rsys en nuestro cliente con el objeto sys en el servidor. (Importa automáticamente el módulo sys en el servidor).
rsys = conn.modules.sys

# Una vez que hemos hecho esa llamada podemos usar rsys en el cliente igual como usaríamos el sys en el servidor. Por ejemplo podemos acceder a sus atributos e imprimirlos en la consola del cliente:
print(rsys.version)

# Podemos hacer lo mismo con el modulo os
ros = conn.modules.os
print('Name: ', ros.name)
