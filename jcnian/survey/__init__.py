"""Batch import of survey results (群众测评, 党员评议, questionnaires) into the ledger.

Two sides, read in this order:

Reading a file (no database; never raises on bad input, reports located problems instead):

- ``problems``  Problem/Problems: file:row:column messages, collected, never raised
- ``cells``     cell values as clerks write them: ``９０``, ``90分``, `` 90 ``, ``12票``
- ``sniff``     what a file is: kind by its bytes, content hash, text encoding, delimiter
- ``headers``   the header row: column roles in Chinese and English, and the layout
- ``sheets``    raw numbered rows per file kind: CSV/TXT, .xlsx streamed, .xls; merged cells
- ``records``   SurveyFile and the typed rows of each layout, past 合计/blank/footer rows
- ``reader``    ``open_survey``: the entry point that ties the above together

Writing to the ledger (one transaction, all or nothing, idempotent):

- ``lookup``    branch, source and indicator names resolved against ledger and rubric
- ``context``   what the per-file steps share (ImportContext) and return (FileReport)
- ``staging``   the temporary table score rows pass through, and its set queries
- ``scores``    long and wide files: scores and deductions
- ``ballots``   count sheets and one ballot per row
- ``log``       the SurveyImport log that ``survey log`` lists
- ``importing`` ``import_surveys``: the entry point the CLI calls
"""
