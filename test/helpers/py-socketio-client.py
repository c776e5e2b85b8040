#!/usr/bin/python3
# An independent Socket.IO client for the bridge's tests: Debian's python3-socketio (5.x, protocol v5), driven by
# test/integration/python-client.test.ts. Nothing here is ours but the glue; the protocol work is the library's.
#
#   /usr/bin/python3 py-socketio-client.py URL TRANSPORT MAX_SECONDS     (the token in the env PY_SIO_TOKEN)
#
# TRANSPORT: "websocket" (websocket only) or "polling-upgrade" (long-polling first, then the upgrade to websocket).
# stdout: one JSON object per line:
#   {"type":"connected","sid":...,"transport":...,"polled":bool,"upgraded":bool}
#   {"type":"connect_error","data":<what the library hands connect_error>}
#   {"type":"event","event":NAME,"args":[...]}           every server event (catch-all handler)
#   {"type":"ack","id":ID,"args":[...]}                  the ack of an `emit` command
#   {"type":"status","transport":...,"connected":bool}   answer to a `status` command
#   {"type":"disconnected"} / {"type":"error","message":...} / {"type":"exit","reason":...}
# stdin: one JSON command per line: {"cmd":"emit","id":ID,"event":"dial","body":{...}}, {"cmd":"status"},
# {"cmd":"quit"}. The process also exits after MAX_SECONDS, or when stdin closes.
import json
import logging
import os
import sys
import threading

import socketio

out_lock = threading.Lock()
done = threading.Event()
exit_reason = ['bound']


def say(obj):
    line = json.dumps(obj, ensure_ascii=False)
    with out_lock:
        sys.stdout.write(line + '\n')
        sys.stdout.flush()


class TransportLog(logging.Handler):
    """Engine.IO logs what it does: the polling handshake and the upgrade. Only these two facts are kept."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.polled = False
        self.upgraded = False

    def emit(self, record):
        msg = record.getMessage()
        if msg.startswith('Polling connection accepted'):
            self.polled = True
        elif msg.startswith('WebSocket upgrade was successful'):
            self.upgraded = True


def main():
    if len(sys.argv) != 4 or sys.argv[2] not in ('websocket', 'polling-upgrade'):
        say({'type': 'error', 'message': 'usage: URL websocket|polling-upgrade MAX_SECONDS'})
        return 2
    url, mode, bound = sys.argv[1], sys.argv[2], float(sys.argv[3])
    token = os.environ.get('PY_SIO_TOKEN')
    auth = None if token is None else {'token': token}

    eio_logger = logging.getLogger('py-sio-test.engineio')
    eio_logger.setLevel(logging.INFO)
    eio_logger.propagate = False
    tlog = TransportLog()
    eio_logger.addHandler(tlog)

    sio = socketio.Client(reconnection=False, handle_sigint=False, engineio_logger=eio_logger)

    handshake = threading.Event()
    refused = []

    @sio.event
    def connect():
        handshake.set()  # reported below, with the transport actually in use

    @sio.event
    def connect_error(data=None):
        say({'type': 'connect_error', 'data': data})
        refused.append(data)
        handshake.set()

    @sio.event
    def disconnect():
        say({'type': 'disconnected'})
        exit_reason[0] = 'disconnected'
        done.set()

    @sio.on('*')
    def any_event(event, *args):
        say({'type': 'event', 'event': event, 'args': list(args)})

    transports = ['websocket'] if mode == 'websocket' else ['polling', 'websocket']
    # wait=False: the library's own wait (5.7) sits out its whole wait_timeout after a refused namespace; the
    # Engine.IO part (polling handshake and upgrade) is still done before connect() returns.
    try:
        sio.connect(url, auth=auth, transports=transports, wait=False)
    except socketio.exceptions.ConnectionError as exc:
        say({'type': 'exit', 'reason': 'connect failed: ' + str(exc)})
        return 1
    if not handshake.wait(min(bound, 10)) or refused:
        say({'type': 'exit', 'reason': 'connect failed: ' + ('refused' if refused else 'no answer to CONNECT')})
        sio.disconnect()
        return 1
    say({'type': 'connected', 'sid': sio.get_sid(), 'transport': sio.transport(),
         'polled': tlog.polled, 'upgraded': tlog.upgraded})

    def read_commands():
        for raw in sys.stdin:
            raw = raw.strip()
            if not raw:
                continue
            try:
                cmd = json.loads(raw)
            except ValueError:
                say({'type': 'error', 'message': 'bad command line'})
                continue
            kind = cmd.get('cmd') if isinstance(cmd, dict) else None
            if kind == 'quit':
                exit_reason[0] = 'quit'
                break
            if kind == 'status':
                say({'type': 'status', 'transport': sio.transport(), 'connected': sio.connected})
            elif kind == 'emit':
                cid = cmd.get('id')

                def on_ack(*args, cid=cid):
                    say({'type': 'ack', 'id': cid, 'args': list(args)})

                try:
                    sio.emit(cmd.get('event'), cmd.get('body'), callback=on_ack)
                except socketio.exceptions.SocketIOError as exc:
                    say({'type': 'error', 'message': 'emit failed: ' + str(exc)})
            else:
                say({'type': 'error', 'message': 'unknown command'})
        else:
            exit_reason[0] = 'stdin closed'
        done.set()

    threading.Thread(target=read_commands, daemon=True).start()
    done.wait(bound)
    say({'type': 'exit', 'reason': exit_reason[0]})
    if sio.connected:
        sio.disconnect()
    return 0


if __name__ == '__main__':
    sys.exit(main())
