#!/usr/bin/env python3
# The processes' own CPU per approved purchase under `baas bench --workload purchase`, for
# a shared host where throughput says little (docs/benchmarks.md, seventh session, second pass).
# usage: go build -o /tmp/baas ./cmd/baas && [CLIENTS=32] docs/bench-cpu.py /tmp/baas sqlite|pg 30s [BAAS_X=y ...]
# Starts a server on a fresh SQLite file or PostgreSQL schema (database `test` on
# 127.0.0.1:5432, trust auth), runs the load, and prints one RESULT line (also appended to
# /tmp/i14p2/results.txt): the server's CPU (utime+stime), on PostgreSQL its connections'
# backends plus the WAL writer, checkpointer and background writer (sampled every 0.5 s),
# and the load tool's, from the end of the setup to the report, per approved purchase.
# PROF=file also saves a 15 s CPU profile of the server.
import os, sys, subprocess, time, re, socket, signal
binp, store, dur = sys.argv[1], sys.argv[2], sys.argv[3]
extra = dict(a.split('=',1) for a in sys.argv[4:])
HZ = os.sysconf('SC_CLK_TCK')
def cpu(pid):
    try:
        f = open(f'/proc/{pid}/stat').read().rsplit(')',1)[1].split()
        return (int(f[11])+int(f[12]))/HZ
    except Exception: return 0.0
def freeport():
    s=socket.socket(); s.bind(('127.0.0.1',0)); p=s.getsockname()[1]; s.close(); return p
port=freeport(); dport=freeport()
env=dict(os.environ, BAAS_ADMIN_TOKEN='bench-token-0123456789', BAAS_CODEGO_RATE_LIMIT='-1',
         BAAS_ADDR=f'127.0.0.1:{port}', BAAS_DEBUG_ADDR=f'127.0.0.1:{dport}')
tag=time.strftime('%H%M%S')
wd=f'/tmp/i14p2/run-{store}-{tag}'; os.makedirs(wd)  # keeps the database and the server's log
schema=None
if store=='sqlite':
    env['BAAS_DATABASE_URL']=f'{wd}/baas.db'
else:
    schema=f'bench_{tag}'
    subprocess.run(['psql','-qAtXh','127.0.0.1','-U','postgres','test','-c',f'create schema {schema}'],check=True)
    env['BAAS_MASTER_KEY_FILE']=f'{wd}/master.key'; env['BAAS_DATABASE_URL']=f'postgres://postgres@127.0.0.1:5432/test?sslmode=disable&search_path={schema}'
env.update(extra)
srv=subprocess.Popen([binp,'serve'],env=env,stdout=open(f'{wd}/server.out','w'),stderr=open(f'{wd}/server.err','w'))
for _ in range(100):
    try: socket.create_connection(('127.0.0.1',port),0.2).close(); break
    except Exception: time.sleep(0.2)
def pgpids():
    if store!='pg': return []
    # backends of our server: match client ports of its sockets
    out=subprocess.run(['ss','-tnpH','dst','127.0.0.1:5432'],capture_output=True,text=True).stdout
    ports=[l.split()[3].rsplit(':',1)[1] for l in out.splitlines() if f'pid={srv.pid},' in l]
    if not ports: return []
    q=f"select pid from pg_stat_activity where client_port in ({','.join(ports)}) union select pid from pg_stat_activity where backend_type in ('walwriter','checkpointer','background writer')"
    r=subprocess.run(['psql','-qAtX','-h','127.0.0.1','-U','postgres','test','-c',q],capture_output=True,text=True).stdout
    return [int(x) for x in r.split()]
load=open('/proc/loadavg').read().split()[0]
b=subprocess.Popen([binp,'bench','--workload','purchase','--clients',os.environ.get('CLIENTS','32'),'--duration',dur,'--url',f'http://127.0.0.1:{port}'],
    env=env,stdout=subprocess.PIPE,stderr=subprocess.PIPE,text=True)
s0=None
for line in b.stderr:
    sys.stderr.write(line)
    if re.search(r'setup: \d+ cards',line):
        pids=pgpids(); s0=(time.time(),cpu(srv.pid),{p:cpu(p) for p in pids},cpu(b.pid))
        load=open('/proc/loadavg').read().split()[0]
        import threading
        seen={p:(c,c) for p,c in s0[2].items()}  # pid -> (baseline, last)
        def sampler():
            while b.poll() is None:
                for p in pgpids():
                    c=cpu(p)
                    if c==0.0: continue
                    base,last=seen.get(p,(0.0,0.0))
                    seen[p]=(base,max(last,c))
                time.sleep(0.5)
        if store=='pg': threading.Thread(target=sampler,daemon=True).start()
        if os.environ.get('PROF'):
            subprocess.Popen(['curl','-s','-o',os.environ['PROF'],f'http://127.0.0.1:{dport}/debug/pprof/profile?seconds=15'])
        break
rest=''
out_lines=[]
for line in b.stdout:
    out_lines.append(line)
    if line.startswith('workload') and s0:
        s1=(time.time(),cpu(srv.pid),{},cpu(b.pid))
        for p in pgpids():
            c=cpu(p); base,last=seen.get(p,(0.0,0.0)); seen[p]=(base,max(last,c))
b.wait()
out=''.join(out_lines)+b.stderr.read()
print(out)
m=re.search(r'succeeded (\d+)',out); n=int(m.group(1)) if m else 0
srvcpu=s1[1]-s0[1]; pgcpu=sum(l-b0 for b0,l in seen.values()) if store=='pg' else 0; bcpu=s1[3]-s0[3]
load2=open('/proc/loadavg').read().split()[0]
res=(f'RESULT store={store} load_before={load} load_after={load2} approved={n} wall={s1[0]-s0[0]:.1f}s server_cpu/purchase={srvcpu/n*1000:.3f}ms pg_cpu/purchase={pgcpu/n*1000:.3f}ms (pids {len(s0[2])}/{len(seen) if store=="pg" else 0}) bench_cpu/purchase={bcpu/n*1000:.3f}ms extra={extra} bin={binp} throughput/p99: '+' '.join(l.strip() for l in out.splitlines() if 'throughput' in l or 'latency' in l))
print(res); open('/tmp/i14p2/results.txt','a').write(time.strftime('%H:%M:%S ')+res+'\n')
srv.send_signal(signal.SIGTERM); srv.wait()
if schema: subprocess.run(['psql','-qAtXh','127.0.0.1','-U','postgres','test','-c',f'drop schema {schema} cascade'],capture_output=True)
