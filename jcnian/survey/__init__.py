"""Batch import of survey results (群众测评, 党员评议, questionnaires) into the ledger.

Two sides, read in this order:

Reading a file (no database; never raises on bad input, reports located problems instead):

- ``problems``  Problem/Problems: file:row:column messages, collected, never raised
- ``cells``     cell values as clerks write them: ``９０``, ``90分``, `` 90 ``, ``12票`` (read by
                jcnian.typed, as typed options are)
- ``sniff``     what a file is: kind by its bytes, content hash, text encoding, delimiter
- ``headers``   the header row (two rows under a group heading, however merged): column roles
                in Chinese and English, the layout, and the words of sign-offs and totals
- ``sheets``    raw numbered rows per file kind: CSV/TXT, .xlsx streamed, .xls; merged cells,
                and formulas whose result was never saved
- ``records``   SurveyFile and the typed rows of each layout: every cell of a data row taken or
                refused; 合计, sign-offs, titles, repeated headers read past with a reason
- ``reader``    ``open_survey``: the entry point that ties the above together

Writing to the ledger (one transaction, all or nothing, idempotent):

- ``lookup``    branch, source and indicator names resolved against ledger and rubric
- ``context``   what the per-file steps share (ImportContext) and return (FileReport)
- ``direct``    the fast path: new scores straight into the score table, in a savepoint
- ``staging``   the temporary table score rows pass through otherwise, and its set queries
- ``scores``    long and wide files: scores and deductions, by either path
- ``ballots``   count sheets and one ballot per row, one form per ballot
- ``log``       the SurveyImport log that ``survey log`` lists
- ``importing`` ``import_surveys``: the entry point the CLI calls
"""
