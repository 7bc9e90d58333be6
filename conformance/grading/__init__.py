"""Grading a whole class with the conformance harness: ``mnist-ref grade`` and ``mnist-ref grade-merge``.

One concept per module, in the order a run uses them:

- ``submissions``: finding the submissions, their names, entry points and source hashes;
- ``shards``: the deterministic 1/N of a class that ``--shard I/N`` grades;
- ``settings``, ``rubric``: how the class is checked, and how many points each part is worth;
- ``worker``, ``pool``: checking one submission in a worker process that imports torch once,
  and many of them in parallel, surviving a submission that kills its worker;
- ``results``: each submission's result, stored the moment it is ready (resuming reuses it);
- ``scoring``: the rubric applied to a result;
- ``feedback``, ``gradescope``: the files for the student and for Gradescope;
- ``gradebook``, ``statistics``, ``plots``, ``summary``: grades.csv and summary.md for the instructor;
- ``manifest``, ``outputs``, ``files``: what an output folder holds, each file written atomically;
- ``batch``: a whole run (``grade_class``) with its ``progress`` bar; ``merge``: shards into one
  folder (``merge_shards``);
- ``commands``: the two click commands.

Nothing is imported here, so that ``mnist-ref --help`` does not load pandas or the checks.
"""
