"""Column and table comments in the warehouse, read from the data dictionary the docs already keep.

One source: the ``| column | type | meaning |`` tables under ``## <table_name>`` headings in ``docs/warehouse.md``
(raw and bookkeeping tables), ``docs/marts.md`` (marts) and ``docs/flows.md`` (flow bookkeeping) become DuckDB
``COMMENT ON COLUMN`` (and the paragraph under the heading ``COMMENT ON TABLE``), so ``duckdb_columns()``,
``molva warehouse shell``'s ``.schema`` and any SQL client show what a column means. A cell naming several columns
(``a, b``) comments each. Outside a repository checkout (no docs/ beside the package) nothing is commented.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warehouse.layout import in_schema

DOCS_DIR = Path(__file__).resolve().parents[1] / "docs"
SOURCES = ("warehouse.md", "marts.md", "flows.md", "dictionary.md")
_HEADING = re.compile(r"^#{2,3}\s+`?([a-z][a-z0-9_]*)`?\s*$")
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass
class Dictionary:
    """Documented tables: their description and column meanings, with the file and line each came from."""

    tables: dict[str, str] = field(default_factory=dict)
    columns: dict[tuple[str, str], str] = field(default_factory=dict)
    where: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        text = repr(sorted(self.tables.items())) + repr(sorted(self.columns.items()))
        return hashlib.sha256(text.encode()).hexdigest()


def _plain(cell: str) -> str:
    return re.sub(r"\s+", " ", cell.replace("`", "").replace("**", "")).strip()


def read_dictionary(docs_dir: Path = DOCS_DIR, sources: tuple[str, ...] = SOURCES) -> Dictionary:
    """Parse the docs' column tables (missing files are skipped)."""
    found = Dictionary()
    for name in sources:
        path = docs_dir / name
        if not path.exists():
            continue
        table: str | None = None
        in_columns = False
        paragraph: list[str] = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            heading = _HEADING.match(line)
            if line.startswith("#"):
                table, in_columns = (heading.group(1) if heading and line.startswith("## ") else None), False
                paragraph = []
                continue
            if table is None:
                continue
            if not line.startswith("|"):
                if not line.strip():
                    in_columns = False
                    if paragraph and table not in found.tables:
                        found.tables[table] = _plain(" ".join(paragraph))
                    paragraph = []
                elif table not in found.tables:
                    paragraph.append(line)  # the first paragraph under the heading describes the table
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cells and cells[0] == "column":
                in_columns = True
                continue
            if not in_columns or set(cells[0]) <= {"-", ":"} or len(cells) < 2:
                continue
            meaning = _plain(cells[-1])
            for column in (_plain(c) for c in cells[0].split(",")):
                if _NAME.match(column) and meaning:
                    found.columns[(table, column)] = meaning
                    found.where[(table, column)] = f"{path.name}:{number}"
    return found


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def apply_comments(con: Any, tables: set[str] | None = None, dictionary: Dictionary | None = None) -> int:
    """Comment the documented columns (of ``tables`` only, when given) that exist; returns how many were commented."""
    dictionary = dictionary or read_dictionary()
    existing = {
        (t, c): (schema, kind)
        for schema, t, c, kind in con.execute(
            "select c.schema_name, c.table_name, c.column_name, t.table_type from duckdb_columns() as c"
            " join information_schema.tables as t on t.table_catalog = c.database_name"
            " and t.table_schema = c.schema_name and t.table_name = c.table_name"
            " where c.database_name = current_database() and not c.internal"
            " and t.table_type in ('BASE TABLE', 'VIEW')"
        ).fetchall()
    }
    n = 0
    for (table, column), meaning in sorted(dictionary.columns.items()):
        if (tables is not None and table not in tables) or (table, column) not in existing:
            continue
        schema = existing[(table, column)][0]
        con.execute(f'comment on column {in_schema(con, schema, table)}."{column}" is {_literal(meaning)}')
        n += 1
    commented_tables = {t for t, _ in existing}
    for table, text in sorted(dictionary.tables.items()):
        if table in commented_tables and (tables is None or table in tables):
            schema, kind = next(v for (t, _), v in existing.items() if t == table)
            what = "view" if kind == "VIEW" else "table"
            con.execute(f"comment on {what} {in_schema(con, schema, table)} is {_literal(text)}")
    return n
