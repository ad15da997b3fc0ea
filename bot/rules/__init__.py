"""The review's rules: pure functions from parsed input to findings, one module per concern.

The package imports none of them: the modules the review needs before its first request
(layout, context, limits) come without the others, which are imported while the requests
are in flight (`bot.engine.RULES_STAGE`). `entry` lists the rules run on every section.
"""
