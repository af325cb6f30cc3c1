-- wrk script: POST the XML-RPC document in $BODY_FILE to the target.
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/xml"
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.body = f:read("*a")
f:close()
