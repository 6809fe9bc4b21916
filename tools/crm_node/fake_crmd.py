#!/usr/bin/env python3
"""A stand-in for crmd's status socket in tests: answers every framed
request (4-byte big-endian length + payload) with a fixed <crmd_status/>,
and a <crmd_ping target=.../> as the controller does: the state for its own
node, <crmd_error/> for any other (a fake has no cluster to relay to).
usage: fake_crmd.py SOCKET_PATH REPLY_XML"""
import os, socket, struct, sys
import xml.etree.ElementTree as ET
from xml.sax.saxutils import quoteattr

path, reply = sys.argv[1], sys.argv[2].encode()
status = ET.fromstring(reply)


def answer(request):
    try:
        req = ET.fromstring(request)
    except ET.ParseError:
        return reply
    if req.tag != "crmd_ping":
        return reply
    target = req.get("target", "")
    if target == status.get("name"):
        return ("<crmd_ping_reply name=%s state=%s/>" % (quoteattr(target), quoteattr(status.get("state", "")))).encode()
    return ("<crmd_error name=%s message=%s/>" % (quoteattr(target), quoteattr("no controller on " + target + " in the group"))).encode()


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
        out = answer(body)
        conn.sendall(struct.pack(">I", len(out)) + out)
