"""Allow ``python -m rnngen``."""

from rnngen.cli import main

if __name__ == "__main__":
    main()
