"""分类定级 in the ledger: the grading tables and everything that reads or writes them.

- ``tables``  the grading tables (rubric, scores, deductions, ballots, vetoes, grade events, imports)
- ``totals``  the SQL sums over the score tables
- ``reads``   the rubric in force, grade states, quota, suggest, backward list
- ``entry``   entering scores, deductions, ballots, vetoes; setting the rubric
- ``steps``   compute, deliberate, approve, publish, change, re-grade, history

The pure rules these apply (grades, thresholds, caps, quota) are ``jcnian.grading`` and
``jcnian.ranking``. Nothing is re-exported here, so importing one module never loads the rest.
"""
