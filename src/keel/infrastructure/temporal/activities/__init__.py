"""Activities: classes whose methods do the I/O workflows ask for, with their dependencies given to ``__init__``."""
