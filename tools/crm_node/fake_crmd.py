#!/usr/bin/env python3
"""A stand-in for crmd's status socket in tests: answers every framed
request (4-byte big-endian length + payload) with a fixed <crmd_status/>.
usage: fake_crmd.py SOCKET_PATH REPLY_XML"""
import os, socket, struct, sys

path, reply = sys.argv[1], sys.argv[2].encode()
if os.path.exists(path):
    os.unlink(path)
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(8)
print("ready", flush=True)
while True:
    conn, _ = srv.accept()
    with conn:
        head = b""
        while len(head) < 4:
            chunk = conn.recv(4 - len(head))
            if not chunk:
                break
            head += chunk
        if len(head) < 4:
            continue
        (n,) = struct.unpack(">I", head)
        body = b""
        while len(body) < n:
            chunk = conn.recv(n - len(body))
            if not chunk:
                break
            body += chunk
        conn.sendall(struct.pack(">I", len(reply)) + reply)
