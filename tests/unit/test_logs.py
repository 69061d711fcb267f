"""Production log lines: one JSON object each, whatever the values logged."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import structlog

from grocery.config import load_settings
from grocery.entrypoints.logs import configure_logging


class Basket:
    def __repr__(self) -> str:
        return "<Basket of 3>"


def test_a_json_line_carries_plain_values_and_the_repr_of_others(tmp_path: Path) -> None:
    settings = load_settings(
        {"GROCERY_DATA_DIR": str(tmp_path), "GROCERY_LOG_FORMAT": "json"},
        dotenv=tmp_path / "missing.env",
    )
    stream = io.StringIO()
    configure_logging(settings, stream)
    try:
        structlog.get_logger("grocery.test").info(
            "checked", order=UUID(int=7), total=Decimal("12.50"), basket=Basket(), units=3
        )
    finally:
        configure_logging(load_settings({"GROCERY_DATA_DIR": str(tmp_path)}))

    line = json.loads(stream.getvalue())
    assert line["event"] == "checked"
    assert line["order"] == "00000000-0000-0000-0000-000000000007"
    assert (line["total"], line["basket"], line["units"]) == ("12.50", "<Basket of 3>", 3)
    assert line["level"] == "info" and line["timestamp"].endswith("Z")
