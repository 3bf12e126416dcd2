"""The loopback Datadog of the test suite as a process, with a week of known data, for `make e2e`.

    python e2e/datadog_standin.py PORTFILE LOG

Every query of the default config gets hourly points; one row has none (no data).
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from fakes.datadog import FakeDatadog  # importable once tests/ is on the path


class LoggingDatadog(FakeDatadog):
    def handle(self, request):
        with open(sys.argv[2], "a") as log:
            log.write(f"{request.method} {request.path}\n")
        return super().handle(request)


server = LoggingDatadog()
now = int(time.time())
start = now - now % 3600 - 9 * 86400
for i, metric in enumerate(["tests_passing", "failing_workflows", "hotfix_count", "revert_count", "duration_p90", "stale_prs"]):
    server.add_points(f"health.ci.{metric}.fom", [(t, round(((t // 3600 + i) % 10) / 10, 2)) for t in range(start, now, 3600)])
server.start()
Path(sys.argv[1]).write_text(str(server.httpd.server_address[1]))
while True:
    time.sleep(3600)
