"""python -m gridwatch"""

from gridwatch.cli import main

if __name__ == "__main__":
    main()
