"""The losses, one module each (see ``graddescent.problems.base``); their rows are in
``graddescent.problems.registry``."""
