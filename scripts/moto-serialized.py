"""moto's server with one request at a time, for the S3 lock tests (issue 19).

moto 5.x implements PutObject `If-None-Match: *` and `If-Match` as a check followed by a write in
a threaded server with no lock between them, so two racing conditional writes can both pass there,
which real S3 does not allow (a conditional write is atomic; a concurrent one gets 412 or 409).
Serialising requests restores that one property and nothing else; what it cannot prove is S3's own
atomicity, which comes from AWS's documentation (docs/team-mode.md).

  python3 scripts/moto-serialized.py <port>
"""
import sys
import threading

from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

app = DomainDispatcherApplication(create_backend_app)
lock = threading.Lock()


def serialized(environ, start_response):
    with lock:
        # The whole response is produced inside the lock.
        return list(app(environ, start_response))


if __name__ == "__main__":
    run_simple("127.0.0.1", int(sys.argv[1]), serialized, threaded=True)
