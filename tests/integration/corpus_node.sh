# The corpus, node: an http server and client in one process (the same
# natively, under record and under sim); under sim, a 30-second setTimeout,
# an http request timeout and a connect to a blackholed host with a timeout
# end at once, in virtual time, and dns.lookup answers from the config's
# DNS table; an http client replays from its recording with no server.
. tests/integration/lib.inc
. tests/integration/corpus.inc
need node
S=fixtures/scripts
NET=fixtures/sim/interpose_net.json

native "$tmp/self.nat" node "$S/node_http_self.js"
ok "node http natively"
lines "node http natively" "$tmp/self.nat" "200 you asked for /a
200 you asked for /b
200 you asked for /c
closed"
record "$tmp/self.rec" "$tmp/self.jsonl" node "$S/node_http_self.js"
ok "node http under record"
same "node http under record" "$tmp/self.nat" "$tmp/self.rec"
traced "node http" "$tmp/self.jsonl"
sim "$tmp/self.sim" -- node "$S/node_http_self.js"
ok "node http under sim"
same "node http under sim" "$tmp/self.nat" "$tmp/self.sim"

sim "$tmp/timeout" -- node "$S/node_timeout.js"
ok "setTimeout under sim"
lines "setTimeout under sim" "$tmp/timeout" "timeout fired after 30 s"
quick "setTimeout under sim"

sim "$tmp/reqto" -- node "$S/node_request_timeout.js"
ok "a request timeout under sim"
lines "a request timeout under sim" "$tmp/reqto" "request timeout after 5 s
error ECONNRESET"
quick "a request timeout under sim"

sim "$tmp/conto" --net "$NET" -- node "$S/node_connect_timeout.js"
ok "a connect timeout under sim"
lines "a connect timeout under sim" "$tmp/conto" "lookup web.internal 192.0.2.10 4
connect timeout after 3 s"
quick "a connect timeout under sim"

# --- a client against a real server, then against its recording --------------
mkdir "$tmp/www"
printf 'served to node\n' > "$tmp/www/f.txt"
port=$(free_port)
serve "$tmp/server.log" "Serving HTTP" python3 -u -m http.server "$port" --bind 127.0.0.1 -d "$tmp/www"
url="http://127.0.0.1:$port/f.txt"
native "$tmp/get.nat" node "$S/node_http_get.js" "$url"
ok "node client natively"
lines "node client natively" "$tmp/get.nat" "200 served to node"
record "$tmp/get.rec" "$tmp/get.jsonl" node "$S/node_http_get.js" "$url"
ok "node client under record"
same "node client under record" "$tmp/get.nat" "$tmp/get.rec"
replay "$tmp/get.rep" "$tmp/get.jsonl" -- node "$S/node_http_get.js" "$url"
ok "node client under replay"
same "node client under replay" "$tmp/get.nat" "$tmp/get.rep"
exit 0
