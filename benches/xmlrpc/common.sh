# Sourced by the XML-RPC benchmarks.
#
#   wait_for_port PYTHON PORT [SECONDS]   # default 10
#
# Returns once something accepts connections on 127.0.0.1:PORT, or after
# SECONDS (the benchmark then reports the failed requests).
#
#   start_nginx WORK_DIR PORT PYTHON
#
# nginx beside the servers, the ceiling of an HTTP server on this machine
# for the small call: starts nginx (installed if missing) with one worker on CPU 0, answering
# every request with the response to add(2,3) exactly as oxrpc writes it
# (keep-alive, no logging), in the background of the calling script.

wait_for_port() {
    local python=$1 port=$2 tries=$(( ${3:-10} * 10 ))
    for _ in $(seq "$tries"); do
        "$python" -c "import socket; socket.create_connection(('127.0.0.1', $port)).close()" 2>/dev/null && return 0
        sleep 0.1
    done
}

start_nginx() {
    local work=$1 port=$2 python=$3 answer
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { apt-get install -y -qq nginx >/dev/null; }
    answer=$("$python" -c "import xmlrpc.client; print(xmlrpc.client.dumps((5,), methodresponse=True), end='')")
    mkdir -p "$work/nginx"
    cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $work/nginx;
    server {
        listen 127.0.0.1:$port;
        location / {
            default_type text/xml;
            return 200 "$answer";
        }
    }
}
NGINX
    taskset -c 0 "$(command -v nginx || echo /usr/sbin/nginx)" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
}
