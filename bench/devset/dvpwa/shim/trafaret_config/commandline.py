"""Stand-in for trafaret_config.commandline as dvpwa's sqli/app.py uses it:
a -c/--config option, and the YAML file it names checked against a schema."""
import yaml


def standard_argparse_options(parser, default_config):
    parser.add_argument("-c", "--config", default=default_config, help="configuration file")


def config_from_options(options, schema):
    with open(options.config) as f:
        return schema.check_and_return(yaml.safe_load(f))
