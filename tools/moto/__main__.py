"""pipe's local AWS endpoint: moto's server on 127.0.0.1 (port 0: a free one), with the patches
that imitate AWS where moto answers otherwise (`patches/`, `fakes/`). Prints `port N` once it
listens (and `proxy N` for the proxy, when asked), and stops when its standard input closes (the
test process ended, however it ended). Run it as `python tools/moto` (or `tools/moto-server`).
"""

import argparse
import importlib.metadata
import logging
import os
import pathlib
import re
import sys
import threading
import warnings

from moto.server import ThreadedMotoServer

import registry
from proxy import throttling_proxy as proxy_layer


def pinned_moto():
    """Refuses to start on a moto other than the one tools/scanners.txt pins: the patches are
    written against that one's internals."""
    pins = (pathlib.Path(__file__).resolve().parents[1] / "scanners.txt").read_text()
    pinned = re.search(r"^moto\[server\]==(\S+)", pins, re.M)
    installed = importlib.metadata.version("moto")
    if pinned and pinned.group(1) != installed:
        sys.exit(f"moto {installed} is installed, tools/scanners.txt pins {pinned.group(1)}: run tools/install-scanners")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--proxy-latency-ms", type=int, default=None,
                        help="also serve the same backends on a second port (printed as `proxy N`) "
                             "that delays every request by this much")
    parser.add_argument("--proxy-throttle", type=float, default=0.0,
                        help="share of the proxy's requests refused with a throttling error")
    parser.add_argument("--faults", default="",
                        help="comma-separated behaviours the proxy imitates AWS with (not-yet, transitional, failing, "
                             "or all of those three; denied): see tools/moto/faults.py")
    parser.add_argument("--list-patches", action="store_true", help="print the patches and exit")
    args = parser.parse_args()
    if args.list_patches:
        registry.load()
        for name, _ in registry.PATCHES:
            print(name)
        return
    pinned_moto()
    registry.apply_all()
    # One line per request drowns the test output; errors still show. moto's CloudFormation warns
    # of every resource type it skips (a gap the README lists) on each stack operation.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("moto").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="moto.cloudformation")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    print(f"port {server.get_host_and_port()[1]}", flush=True)
    if args.proxy_latency_ms is not None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        app = DomainDispatcherApplication(create_backend_app)
        if args.faults:
            from faults import BEHAVIOURS, PERMISSIONS, fault_layer

            wanted = BEHAVIOURS if args.faults == "all" else tuple(args.faults.split(","))
            unknown = set(wanted) - set(BEHAVIOURS) - set(PERMISSIONS)
            if unknown:
                parser.error(f"unknown behaviours {sorted(unknown)}: choose from {', '.join(BEHAVIOURS + PERMISSIONS)} "
                             "or all")
            app = fault_layer(app, wanted)
        app = proxy_layer(app, args.proxy_latency_ms / 1000, args.proxy_throttle, seed=7)
        proxy = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        print(f"proxy {proxy.server_address[1]}", flush=True)
    # stdout carries the ports and nothing else: a launcher reads them and closes its end, and a
    # later write there (moto's Lambda invoker trying Docker) would block the request writing it.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
