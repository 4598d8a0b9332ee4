"""Output edges: the monthly workbook and the ledger's tables for scripts.

- ``month``     the monthly workbook's rows, read from the domain
- ``workbook``  lays those rows out as xlsx (xlsxwriter), written atomically
- ``tables``    ledger tables as CSV/JSON
"""
