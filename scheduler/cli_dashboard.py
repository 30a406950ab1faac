"""`ilacs dashboard`: serve the Streamlit dashboard over a programme folder.

R-CONFIDENTIAL: inspection dates must not reach an LA before notification, so the server
listens on this machine only (127.0.0.1) unless `--address` says otherwise.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from scheduler.cli_common import console, refuse
from scheduler.errors import InputError

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


def streamlit_command(port: int, address: str) -> list[str]:
    """`streamlit run dashboard/app.py` on ``address``:``port``, no usage statistics sent."""
    return [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
            "--server.address", address, "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"]


def register(app: typer.Typer) -> None:
    @app.command()
    def dashboard(
        out: Path = typer.Option(Path("out"), help="Programme folder written by `ilacs plan`."),
        data: Path = typer.Option(Path("data/england"), help="Dataset folder (DATA.md)."),
        port: int = typer.Option(8501, help="Port of the dashboard."),
        address: str = typer.Option(
            "127.0.0.1", help="Address to listen on. The default keeps the confidential "
                              "dates on this machine (R-CONFIDENTIAL); 0.0.0.0 exposes them "
                              "to the network."),
    ) -> None:
        """Open the dashboard at http://ADDRESS:PORT (Ctrl+C stops it)."""
        from scheduler.io import read_dataset

        try:
            read_dataset(data)
        except InputError as exc:
            raise refuse(exc) from None
        if address not in ("127.0.0.1", "localhost", "::1"):
            console.print(f"[yellow]warning[/yellow] listening on {address}: anyone who can "
                          "reach this machine can read the programme (R-CONFIDENTIAL).")
        console.print(f"ILACS dashboard on http://{address}:{port} (programme {out}, "
                      f"dataset {data})")
        env = {**os.environ, "ILACS_OUT": str(out.resolve()), "ILACS_DATA": str(data.resolve())}
        command = streamlit_command(port, address)
        # Streamlit takes this process's place, so stopping it stops the server too.
        sys.stderr.flush()
        os.execve(command[0], command, env)
