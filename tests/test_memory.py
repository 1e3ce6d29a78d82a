"""A checked file's objects are freed when the engine is done with it, not left to the
garbage collector: views point back at one another (a step at its job, a container at its
pod), and cycles of every file's nodes, traced again and again, cost a scan of workflows
about a tenth of its time (issue 25)."""

import gc

from platform_skills import engine
from platform_skills.registry import all_rules
from support import CORPUS

_NODE_TYPES = ("ScalarNode", "MappingNode", "SequenceNode", "Mark", "Step", "Job", "Workflow",
               "Container", "PodSpec", "Document")


def _cyclic_garbage(run):
    """Type name -> count of the objects ``run()`` left in reference cycles."""
    gc.collect()
    gc.disable()
    try:
        run()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        counts = {}
        for item in gc.garbage:
            name = type(item).__name__
            counts[name] = counts.get(name, 0) + 1
        return counts
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def test_a_scan_leaves_no_document_in_a_cycle():
    rules = all_rules()

    def scan(want_facts):
        result = engine.run([str(CORPUS)], rules, jobs=1, want_facts=want_facts)
        assert result.files > 25 and result.findings  # the corpus was checked: every kind
    scan(True)  # parsers imported on first use (HCL, Dockerfile) may leave their own cycles
    for want_facts in (False, True):
        left = _cyclic_garbage(lambda facts=want_facts: scan(facts))
        assert not {name: n for name, n in left.items() if name in _NODE_TYPES}, left
