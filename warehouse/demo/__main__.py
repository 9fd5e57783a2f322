"""python -m warehouse.demo OUT_DIR [--seed N] [--scale X]"""

from .generate import main

main()
