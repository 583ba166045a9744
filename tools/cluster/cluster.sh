#!/usr/bin/env bash
# A local xuefa cluster on loopback: a 3-node MariaDB Galera cluster, HAProxy in front of it and
# of 3 xuefa replicas, and the machine's Redis. For drills and for trying what a province's
# deployment does; the README's single-node commands are unaffected.
#
#   tools/cluster/cluster.sh up       # build, start everything, seed the demo county; prints the addresses
#   tools/cluster/cluster.sh status   # what runs, and each Galera node's state
#   tools/cluster/cluster.sh down     # stop everything and delete the cluster's files
#   tools/cluster/cluster.sh restart-replica N   # SIGTERM replica aN, wait for it to stop, start it again
#   tools/cluster/cluster.sh kill-replica N      # SIGKILL replica aN (a crash: nothing drained)
#   tools/cluster/cluster.sh start-replica N     # start aN again and wait until it is ready
#   tools/cluster/cluster.sh stop-node N         # stop Galera node nN (SIGTERM) and wait for it to exit
#   tools/cluster/cluster.sh start-node N        # start nN again and wait until it has rejoined (Synced)
#   tools/cluster/cluster.sh stop-redis          # stop the machine's Redis (nothing on disk to lose)
#   tools/cluster/cluster.sh start-redis         # start it again as the machine starts it
#
# Needs Debian's mariadb-server, galera-4, haproxy, rsync and redis-server (see
# docs/deployment.md); run as root (the nodes run as the mysql user on their own data
# directories).
# Everything lives in $XUEFA_CLUSTER_DIR (default /tmp/xuefa-cluster).
#
# Ports: Galera nodes SQL 3311-3313 (group 4571-4573, IST 4561-4563, SST 4441-4443); HAProxy
# 3310 (SQL: one writer node, the others as backups) and 8090 (HTTP round robin, health check on
# /readyz, the answering replica named in X-Served-By), stats on 8404; replicas 8091-8093
# (metrics 9191-9193); the fake WeChat API 8099 (`clusterdrill wechat-fake`: production mode
# refuses wechat.mode fake, so the replicas run live against it); Redis 127.0.0.1:6379.
set -euo pipefail

dir=${XUEFA_CLUSTER_DIR:-/tmp/xuefa-cluster}
repo=$(cd "$(dirname "$0")/../.." && pwd)
nodes=(1 2 3)
dsn='xuefa:xuefa-cluster@tcp(127.0.0.1:3310)/xuefa?parseTime=true&loc=UTC&charset=utf8mb4'

log() { printf '%s cluster: %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# wait_for CMD... : retries CMD for up to 60 s.
wait_for() {
	for _ in $(seq 1 120); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.5
	done
	log "gave up waiting for: $*"
	return 1
}

node_sql() { mariadb --protocol=socket -S "$dir/n$1/mysqld.sock" -uroot -N -B -e "$2"; }

node_synced() { [ "$(node_sql "$1" "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'wsrep_local_state_comment'")" = Synced ]; }

write_node_config() {
	local i=$1 n="$dir/n$1"
	mkdir -p "$n/data"
	chown -R mysql:mysql "$n"
	cat >"$n/my.cnf" <<EOF
[mariadbd]
user = mysql
datadir = $n/data
socket = $n/mysqld.sock
pid-file = $n/mysqld.pid
log-error = $n/error.log
port = 331$i
bind-address = 127.0.0.1
skip-name-resolve
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
innodb_buffer_pool_size = 256M
binlog_format = ROW
default_storage_engine = InnoDB
innodb_autoinc_lock_mode = 2
wsrep_on = ON
wsrep_provider = /usr/lib/galera/libgalera_smm.so
wsrep_cluster_name = xuefa
wsrep_cluster_address = gcomm://127.0.0.1:4571,127.0.0.1:4572,127.0.0.1:4573
wsrep_node_name = n$i
wsrep_node_address = 127.0.0.1:457$i
wsrep_provider_options = "base_port=457$i;gmcast.listen_addr=tcp://127.0.0.1:457$i;ist.recv_addr=127.0.0.1:456$i"
wsrep_sst_method = rsync
wsrep_sst_receive_address = 127.0.0.1:444$i
EOF
}

start_node() {
	local i=$1
	shift
	setsid mariadbd --defaults-file="$dir/n$i/my.cnf" "$@" </dev/null >>"$dir/n$i/stdout.log" 2>&1 &
	wait_for node_synced "$i"
	log "node n$i synced (127.0.0.1:331$i)"
}

write_haproxy_config() {
	# A node is in service only while Galera says it is Synced (wsrep_local_state 4): a node that
	# accepts connections but is joining, donating or cut off answers 1047 to every query.
	cat >"$dir/galera-check.sh" <<'CHECK'
#!/bin/sh
# HAProxy external check: $3 and $4 are the server's address and port.
[ "$(mariadb -h "$3" -P "$4" -uhaproxy -N -B --connect-timeout=1 -e "SHOW GLOBAL STATUS LIKE 'wsrep_local_state'" 2>/dev/null | cut -f2)" = 4 ]
CHECK
	chmod +x "$dir/galera-check.sh"
	cat >"$dir/haproxy.cfg" <<EOF
global
	pidfile $dir/haproxy.pid
	log stdout format raw local0 err
	external-check
	insecure-fork-wanted

defaults
	timeout connect 2s
	timeout client 5m
	timeout server 5m
	timeout check 2s

# SQL: every replica writes through one node at a time (fewer certification conflicts);
# the others take over when it fails its check.
listen galera
	bind 127.0.0.1:3310
	mode tcp
	option external-check
	external-check path "/usr/bin:/bin"
	external-check command $dir/galera-check.sh
	server n1 127.0.0.1:3311 check inter 1s fall 2 rise 2
	server n2 127.0.0.1:3312 check inter 1s fall 2 rise 2 backup
	server n3 127.0.0.1:3313 check inter 1s fall 2 rise 2 backup

listen api
	bind 127.0.0.1:8090
	mode http
	balance roundrobin
	option forwardfor
	option redispatch
	retries 3
	option httpchk GET /readyz
	http-check expect status 200
	http-response set-header X-Served-By %s
	retry-on conn-failure empty-response response-timeout
	server a1 127.0.0.1:8091 check inter 1s fall 2 rise 2
	server a2 127.0.0.1:8092 check inter 1s fall 2 rise 2
	server a3 127.0.0.1:8093 check inter 1s fall 2 rise 2

listen stats
	bind 127.0.0.1:8404
	mode http
	stats enable
	stats uri /
EOF
}

write_xuefa_config() {
	local jwt data cert wechat
	jwt=$(head -c 36 /dev/urandom | base64 | tr -d '\n')
	data=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
	cert=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
	wechat=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
	cat >"$dir/xuefa.yaml" <<EOF
# Written by tools/cluster/cluster.sh: the production example with the cluster's addresses.
mode: production
http:
  trusted_proxies: ["127.0.0.1/32"]
  shutdown_timeout: 20s
database:
  driver: mysql
  dsn: "$dsn"
  max_open_conns: 30
  max_idle_conns: 15
  conn_max_lifetime: 5m
auth:
  jwt_key_id: k1
  jwt_signing_key: "$jwt"
crypto:
  data_key: "$data"
certificates:
  key_id: c1
  signing_key: "$cert"
redis:
  addr: "127.0.0.1:6379"
# WeChat through the fake API of clusterdrill wechat-fake (live mode: production refuses fake).
wechat:
  mode: live
  app_id: wx-cluster-drill
  secret: "$wechat"
  base_url: http://127.0.0.1:8099
  reminder_template_id: drill-reminder
# The journey drill's webhook receiver listens on 127.0.0.1: loopback only, never in a real
# deployment (it opens the server to SSRF).
integration:
  allow_private_webhooks: true
EOF
}

# start_wechat_fake runs the fake WeChat API the replicas' wechat.base_url points at.
start_wechat_fake() {
	setsid "$dir/clusterdrill" wechat-fake -addr 127.0.0.1:8099 </dev/null >>"$dir/wechat-fake.log" 2>&1 &
	echo $! >"$dir/wechat-fake.pid"
	wait_for curl -fsS http://127.0.0.1:8099/_drill/ready
	log "fake WeChat API up (http://127.0.0.1:8099)"
}

start_replica() {
	local i=$1
	XUEFA_HTTP_ADDR=127.0.0.1:809$i XUEFA_HTTP_METRICS_ADDR=127.0.0.1:919$i \
		setsid "$dir/xuefa" serve --config "$dir/xuefa.yaml" </dev/null >>"$dir/a$i.log" 2>&1 &
	echo $! >"$dir/a$i.pid"
	wait_for curl -fsS "http://127.0.0.1:809$i/readyz"
	log "replica a$i ready (127.0.0.1:809$i)"
}

up() {
	if [ -e "$dir" ]; then
		echo "cluster: $dir exists; run '$0 down' first" >&2
		exit 1
	fi
	for cmd in mariadbd mariadb-install-db haproxy rsync redis-cli; do
		command -v "$cmd" >/dev/null || { echo "cluster: $cmd not found (apt-get install mariadb-server galera-4 haproxy rsync redis-server)" >&2; exit 1; }
	done
	[ -e /usr/lib/galera/libgalera_smm.so ] || { echo "cluster: galera-4 is not installed" >&2; exit 1; }
	redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "cluster: Redis does not answer on 127.0.0.1:6379" >&2; exit 1; }
	mkdir -p "$dir"
	log "building xuefa and clusterdrill"
	(cd "$repo" && CGO_ENABLED=0 go build -o "$dir/xuefa" ./cmd/xuefa && CGO_ENABLED=0 go build -o "$dir/clusterdrill" ./tools/clusterdrill)

	for i in "${nodes[@]}"; do
		write_node_config "$i"
		mariadb-install-db --defaults-file="$dir/n$i/my.cnf" --user=mysql --auth-root-authentication-method=socket >"$dir/n$i/install.log" 2>&1
	done
	start_node 1 --wsrep-new-cluster
	node_sql 1 "CREATE DATABASE xuefa CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
		CREATE USER 'xuefa'@'127.0.0.1' IDENTIFIED BY 'xuefa-cluster';
		GRANT ALL ON xuefa.* TO 'xuefa'@'127.0.0.1';
		CREATE USER 'haproxy'@'127.0.0.1';"
	start_node 2
	start_node 3

	write_haproxy_config
	haproxy -D -f "$dir/haproxy.cfg"
	wait_for mariadb -h127.0.0.1 -P3310 -uxuefa -pxuefa-cluster -e 'SELECT 1'
	log "haproxy up: SQL 127.0.0.1:3310, HTTP 127.0.0.1:8090, stats http://127.0.0.1:8404/"

	write_xuefa_config
	"$dir/xuefa" migrate up --config "$dir/xuefa.yaml" >"$dir/migrate.log" 2>&1
	"$dir/xuefa" seed --config "$dir/xuefa.yaml" >"$dir/seed.log" 2>&1
	log "migrated and seeded the demo county (logins in $dir/seed.log)"
	start_wechat_fake
	for i in "${nodes[@]}"; do start_replica "$i"; done
	wait_for curl -fsS http://127.0.0.1:8090/readyz
	log "up: the API through the balancer at http://127.0.0.1:8090/api/v1 (files in $dir)"
}

status() {
	[ -d "$dir" ] || { echo "cluster: not up ($dir does not exist)"; return 0; }
	for i in "${nodes[@]}"; do
		if [ -S "$dir/n$i/mysqld.sock" ] && state=$(node_sql "$i" "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('wsrep_local_state_comment', 'wsrep_cluster_size') ORDER BY VARIABLE_NAME" 2>/dev/null | tr '\n' ' '); then
			echo "node n$i: cluster size, state: $state"
		else
			echo "node n$i: down"
		fi
	done
	for i in "${nodes[@]}"; do
		if curl -fsS "http://127.0.0.1:809$i/readyz" >/dev/null 2>&1; then echo "replica a$i: ready"; else echo "replica a$i: down"; fi
	done
	if curl -fsS http://127.0.0.1:8090/readyz >/dev/null 2>&1; then echo "balancer: ready"; else echo "balancer: down"; fi
	if curl -fsS http://127.0.0.1:8099/_drill/ready >/dev/null 2>&1; then echo "fake WeChat API: up"; else echo "fake WeChat API: down"; fi
}

# stop_pid PID: SIGTERM, then wait up to 60 s for the process to exit.
stop_pid() {
	kill -TERM "$1"
	for _ in $(seq 1 240); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.25
	done
}

restart_replica() {
	stop_pid "$(cat "$dir/a$1.pid")"
	log "replica a$1 stopped"
	start_replica "$1"
}

# kill_replica N: SIGKILL, as when a machine or the process dies (no draining, no shutdown).
kill_replica() {
	kill -KILL "$(cat "$dir/a$1.pid")"
	log "replica a$1 killed (SIGKILL)"
}

stop_node() {
	stop_pid "$(cat "$dir/n$1/mysqld.pid")"
	log "node n$1 stopped"
}

stop_redis() {
	redis-cli -h 127.0.0.1 -p 6379 shutdown nosave >/dev/null 2>&1 || true
	for _ in $(seq 1 40); do
		redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || break
		sleep 0.25
	done
	log "redis stopped"
}

start_redis() {
	redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
		--dir /var/lib/redis --logfile /var/log/redis/ci.log
	wait_for redis-cli -h 127.0.0.1 -p 6379 ping
	log "redis started"
}

down() {
	[ -d "$dir" ] || { echo "cluster: nothing to stop ($dir does not exist)"; return 0; }
	for i in "${nodes[@]}"; do
		if [ -s "$dir/a$i.pid" ]; then kill "$(cat "$dir/a$i.pid")" 2>/dev/null || true; fi
	done
	if [ -s "$dir/haproxy.pid" ]; then kill "$(cat "$dir/haproxy.pid")" 2>/dev/null || true; fi
	if [ -s "$dir/wechat-fake.pid" ]; then kill "$(cat "$dir/wechat-fake.pid")" 2>/dev/null || true; fi
	for i in 3 2 1; do
		if [ -s "$dir/n$i/mysqld.pid" ]; then kill "$(cat "$dir/n$i/mysqld.pid")" 2>/dev/null || true; fi
	done
	for _ in $(seq 1 60); do
		pgrep -f "$dir/" >/dev/null || break
		sleep 0.5
	done
	pkill -9 -f "$dir/" 2>/dev/null || true
	rm -rf "$dir"
	log "down: everything stopped, $dir removed"
}

case "${1:-}" in
up) up ;;
status) status ;;
down) down ;;
restart-replica) restart_replica "${2:?replica number 1-3}" ;;
kill-replica) kill_replica "${2:?replica number 1-3}" ;;
start-replica) start_replica "${2:?replica number 1-3}" ;;
stop-node) stop_node "${2:?node number 1-3}" ;;
start-node) start_node "${2:?node number 1-3}" ;;
stop-redis) stop_redis ;;
start-redis) start_redis ;;
*)
	echo "usage: $0 up|status|down|restart-replica N|kill-replica N|start-replica N|stop-node N|start-node N|stop-redis|start-redis" >&2
	exit 2
	;;
esac
