# A command-line script: argv reaches the helper, which no route calls.
import sys

from shop.models import product_report

if __name__ == "__main__":
    print(product_report(sys.argv[1]))
