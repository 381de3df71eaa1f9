"""A real SMTP server on loopback for the e-mail tests (aiosmtpd, Debian's python3-aiosmtpd).

Prints "READY <port>" once listening, then one JSON line per accepted message: the envelope, the headers and every
MIME part decoded. Reads commands on stdin: "refuse <code> <count>" refuses the next <count> messages (or all, for *)
at DATA with that reply code.

With "--auth LOGIN:PASSWORD" it requires AUTH (PLAIN or LOGIN, allowed without TLS: loopback only) with exactly those
credentials before MAIL, and each message line carries the login it was sent under. With "--tls starttls CERT KEY" it
offers and requires STARTTLS, with "--tls implicit CERT KEY" it speaks TLS from the first byte (SMTPS); each message
line says whether it came over TLS.
"""
import argparse
import asyncio
import base64
import email
import email.policy
import json
import os
import socket
import ssl
import sys
import threading

from aiosmtpd.smtp import SMTP, AuthResult

refusals = {"code": 0, "left": 0}
parser = argparse.ArgumentParser()
parser.add_argument("--auth")
parser.add_argument("--tls", nargs=3, metavar=("MODE", "CERT", "KEY"))
arguments = parser.parse_args()
credentials = arguments.auth.split(":", 1) if arguments.auth else None
lock = threading.Lock()
output = threading.Lock()


def emit(record):
    # One whole line at a time: the command thread's acknowledgements and the server's messages share stdout.
    with output:
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()


def read_commands():
    for line in sys.stdin:
        parts = line.split()
        if len(parts) == 3 and parts[0] == "refuse":
            with lock:
                refusals["code"] = int(parts[1])
                refusals["left"] = -1 if parts[2] == "*" else int(parts[2])
            # The test waits for this, so a message sent right after the command meets the new rule, never the old one.
            emit({"ack": line.strip()})
    os._exit(0)  # stdin closed: the test process is gone, so is this server


class Handler:
    async def handle_DATA(self, server, session, envelope):
        with lock:
            if refusals["left"] != 0:
                if refusals["left"] > 0:
                    refusals["left"] -= 1
                code = refusals["code"]
                return f"{code} {code // 100}.3.0 Refused by the test"
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        parts = [
            {
                "content_type": part.get_content_type(),
                "charset": part.get_content_charset(),
                # A text part as text; an attachment (an invoice's PDF) as base64 of its decoded bytes, with its file name.
                "body": content if isinstance(content, str) else base64.b64encode(content).decode("ascii"),
                "filename": part.get_filename(),
            }
            for part in message.walk()
            if not part.is_multipart()
            for content in [part.get_content()]
        ]
        emit({
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "message_id": str(message["Message-ID"]),
            "content_type": message.get_content_type(),
            "parts": parts,
            "login": session.auth_data.login.decode() if session.authenticated else None,
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            # The message as it came over DATA, headers and all, for tests that look for what must not be there.
            "raw": (envelope.original_content or envelope.content).decode("latin-1"),
        })
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data):
    given = [auth_data.login.decode(), auth_data.password.decode()]
    return AuthResult(success=given == credentials, handled=False, auth_data=auth_data)  # unhandled: aiosmtpd replies 535


async def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    handler = Handler()
    options = {"authenticator": authenticate, "auth_required": True} if credentials else {}
    implicit = None
    if arguments.tls:
        mode, cert, key = arguments.tls
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        if mode == "implicit":
            implicit = context
        else:
            options |= {"tls_context": context, "require_starttls": True}
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(handler, hostname="tollgate-test-smtp", auth_require_tls=False, **options), sock=sock, ssl=implicit)
    print(f"READY {sock.getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


threading.Thread(target=read_commands, daemon=True).start()
asyncio.run(main())
