"""The domain: competency model, SJTs, 360 surveys, psychometrics, development plans.

Pure code: numpy/scipy and the standard library only; no I/O, no clock, no global RNG.
"""
