"""Enterprise registry (一企一档) files: reading, validating and writing.

Pure domain code: no database, no web. The service layer upserts the records
(keyed on the credit code) and writes the audit log.

Typical use::

    source = read_registry("企业名录.xlsx")
    summary = ImportSummary()
    for row, record, rejects in validate_rows(source, summary, district=outline):
        ...  # upsert record when it is not None
    write_rejects(summary.rejects, "rejects.csv")
    assert summary.balanced
"""

from gridwatch.registry.headers import EXPORT_HEADERS, HEADER_ALIASES, recognise_headers
from gridwatch.registry.reader import RegistrySource, detect_encoding, read_registry
from gridwatch.registry.summary import ImportSummary, Note, Reject
from gridwatch.registry.units import UnitResolver
from gridwatch.registry.uscc import (
    explain_uscc,
    explain_uscc_cell,
    is_valid_uscc,
    make_uscc,
    normalise_uscc,
    org_code_check_char,
    uscc_check_digit,
)
from gridwatch.registry.validate import (
    RECORD_FIELDS,
    RowRules,
    validate_row,
    validate_rows,
)
from gridwatch.registry.writer import EXPORT_FIELDS, write_registry, write_rejects

__all__ = [
    "EXPORT_FIELDS",
    "EXPORT_HEADERS",
    "HEADER_ALIASES",
    "RECORD_FIELDS",
    "ImportSummary",
    "Note",
    "RegistrySource",
    "Reject",
    "RowRules",
    "UnitResolver",
    "detect_encoding",
    "explain_uscc",
    "explain_uscc_cell",
    "is_valid_uscc",
    "make_uscc",
    "normalise_uscc",
    "org_code_check_char",
    "read_registry",
    "recognise_headers",
    "uscc_check_digit",
    "validate_row",
    "validate_rows",
    "write_registry",
    "write_rejects",
]
