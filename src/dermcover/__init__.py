"""dermcover: will insurance pay for this skin procedure, and if not, what will it cost?"""

__version__ = "0.1.0"
