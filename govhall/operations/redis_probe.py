"""``python -m govhall.operations.redis_probe``: print the local Redis URL when a Redis
server answers on 127.0.0.1:6379, else nothing (``make run`` then keeps caches and rate
limits in process memory and says so). No Django needed: it runs before the server."""

import socket

URL = "redis://127.0.0.1:6379/0"


def main() -> None:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            sock.settimeout(0.5)
            if sock.recv(16).startswith(b"+PONG"):
                print(URL)
    except OSError:
        pass


if __name__ == "__main__":
    main()
