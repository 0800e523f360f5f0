"""Where files are: the check for missing files and relinking moved ones."""
