"""Runs a test script's cases and, when all pass, prints `<label>: N cases over <what>`, the line
tests/engines.rs looks for."""

import sys
import unittest


def run(module_name, label, what):
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[module_name])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if not result.wasSuccessful():
        sys.exit(1)
    print(f"{label}: {result.testsRun} cases over {what}")
