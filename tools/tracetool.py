"""tools/trace.py as a module: `trace` is also the name of a standard
library module, which a plain `import trace` may find first."""
import importlib.util
import os
import sys

_spec = importlib.util.spec_from_file_location(
    "ferrous_trace", os.path.join(os.path.dirname(os.path.abspath(__file__)), "trace.py"))
assert _spec and _spec.loader
trace = importlib.util.module_from_spec(_spec)
sys.modules["ferrous_trace"] = trace  # dataclasses look their module up
_spec.loader.exec_module(trace)
