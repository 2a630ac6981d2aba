"""Several `rasa run` instances on a shared PostgreSQL tracker store and Redis lock store,
behind nginx, with a multi-worker action server: Rasa's own horizontal scaling on one
machine.

python -m img_deploy.cluster   (make serve-cluster; variables in the README)
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from img_deploy.postgres import fresh_database
from img_deploy.processes import (
    ROOT,
    Server,
    base_env,
    consecutive_free_ports,
    free_port,
    start_action_server,
    start_process,
    start_rasa,
)
from img_store.settings import DatabaseSettings

HERE = Path(__file__).parent
MODEL = ROOT / "models" / "advisor.tar.gz"


@dataclass(frozen=True)
class ClusterSettings:
    """``CLUSTER_INSTANCES`` (2), ``CLUSTER_LISTEN`` (nginx, 0.0.0.0:5005),
    ``CLUSTER_FIRST_PORT`` (instances on 127.0.0.1 from 5101), ``ACTION_PORT`` (5055),
    ``ACTION_WORKERS`` (2), ``REDIS_HOST``/``REDIS_PORT``/``REDIS_DB`` (127.0.0.1, 6379,
    1) and ``RASA_TOKEN`` for the HTTP API."""

    instances: int = 2
    listen: str = "0.0.0.0:5005"
    first_port: int = 5101
    action_port: int = 5055
    action_workers: int = 2
    redis_host: str = "127.0.0.1"
    redis_port: int = 6379
    redis_db: int = 1
    token: str = ""

    @classmethod
    def from_env(cls) -> ClusterSettings:
        env = os.environ
        return cls(
            instances=int(env.get("CLUSTER_INSTANCES", cls.instances)),
            listen=env.get("CLUSTER_LISTEN", cls.listen),
            first_port=int(env.get("CLUSTER_FIRST_PORT", cls.first_port)),
            action_port=int(env.get("ACTION_PORT", cls.action_port)),
            action_workers=int(env.get("ACTION_WORKERS", cls.action_workers)),
            redis_host=env.get("REDIS_HOST", cls.redis_host),
            redis_port=int(env.get("REDIS_PORT", cls.redis_port)),
            redis_db=int(env.get("REDIS_DB", cls.redis_db)),
            token=env.get("RASA_TOKEN", ""),
        )


@dataclass
class Cluster:
    settings: ClusterSettings
    workdir: Path
    model: Path = MODEL
    extra_env: dict[str, str] = field(default_factory=dict)
    actions: Server | None = None
    instances: list[Server] = field(default_factory=list)
    nginx: Server | None = None

    @property
    def instance_urls(self) -> list[str]:
        ports = range(self.settings.first_port, self.settings.first_port + self.settings.instances)
        return [f"http://127.0.0.1:{port}" for port in ports]

    @property
    def url(self) -> str:
        host, _, port = self.settings.listen.rpartition(":")
        return f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"

    def env(self) -> dict[str, str]:
        settings = self.settings
        return base_env(
            ACTION_PORT=str(settings.action_port),
            REDIS_HOST=settings.redis_host,
            REDIS_PORT=str(settings.redis_port),
            REDIS_DB=str(settings.redis_db),
            **self.extra_env,
        )

    def start(self) -> Cluster:
        env = self.env()
        database = DatabaseSettings.from_env()
        if database.dialect != "postgresql":
            raise SystemExit("the cluster shares one PostgreSQL: set TRACKER_DIALECT=postgresql")
        subprocess.run([sys.executable, "-m", "img_store", "check"], env=env, check=True)
        if shutil.which("nginx") is None:
            raise SystemExit("nginx not found: `make serve-cluster` installs Debian's nginx")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.actions = start_action_server(
            self.settings.action_port,
            env,
            self.workdir / "actions.log",
            workers=self.settings.action_workers,
        )
        for index, url in enumerate(self.instance_urls):
            self.instances.append(
                start_rasa(
                    int(url.rsplit(":", 1)[1]),
                    env,
                    self.workdir / f"rasa-{index + 1}.log",
                    model=self.model,
                    endpoints=HERE / "endpoints.cluster.yml",
                    credentials=ROOT / "credentials.yml",
                    token=self.settings.token or "cluster-token",
                )
            )
        for server in [self.actions, *self.instances]:
            server.wait_ready()
        self.nginx = self._start_nginx()
        self.nginx.wait_ready(30)
        return self

    def _start_nginx(self) -> Server:
        (self.workdir / "tmp").mkdir(exist_ok=True)
        servers = "\n".join(
            f"        server {url.removeprefix('http://')};" for url in self.instance_urls
        )
        conf = Template((HERE / "nginx.conf.template").read_text()).substitute(
            workdir=self.workdir.resolve(), servers=servers, listen=self.settings.listen
        )
        conf_path = self.workdir / "nginx.conf"
        conf_path.write_text(conf)
        command = [
            "nginx",
            "-c",
            str(conf_path.resolve()),
            "-e",
            str(self.workdir.resolve() / "nginx-error.log"),
        ]
        return start_process(
            "nginx", command, self.env(), self.workdir / "nginx.log", f"{self.url}/", ROOT
        )

    @classmethod
    def scratch(
        cls,
        workdir: Path,
        database: str,
        *,
        instances: int = 2,
        redis_db: int = 1,
        extra_env: dict[str, str] | None = None,
    ) -> Cluster:
        """A cluster on loopback ports for benchmarks and tests, on a freshly made and
        migrated PostgreSQL database (this process's TRACKER_* point at it afterwards)."""
        os.environ.update(fresh_database(database))
        # Through nginx, REST needs a token (img_channels.rest); rest_headers() sends it:
        # the integrators' shared one, or with a sender, that user's own JWT.
        os.environ.setdefault("REST_TOKEN", "scratch-cluster-rest-token")
        os.environ.setdefault("REST_JWT_SECRET", "scratch-cluster-jwt-secret-of-32-bytes-plus")
        subprocess.run(
            [sys.executable, "-m", "img_store", "migrate"],
            env=base_env(),
            check=True,
            capture_output=True,
        )
        settings = ClusterSettings(
            instances=instances,
            listen=f"127.0.0.1:{free_port()}",
            first_port=consecutive_free_ports(instances),
            action_port=free_port(),
            action_workers=2,
            redis_db=redis_db,
            token="scratch-cluster-token",
        )
        return cls(settings, workdir, extra_env=extra_env or {})

    def stop(self) -> None:
        for server in [self.nginx, *self.instances, self.actions]:
            if server is not None:
                server.stop()


def main() -> None:
    settings = ClusterSettings.from_env()
    if not settings.token:
        raise SystemExit("set RASA_TOKEN (the HTTP API's token); see README")
    cluster = Cluster(settings, ROOT / "var" / "cluster")
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        cluster.start()
        print(f"cluster ready: {cluster.url} -> {', '.join(cluster.instance_urls)}", flush=True)
        print(f"chat page: {cluster.url}/chat/  (Ctrl-C stops everything)", flush=True)
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
