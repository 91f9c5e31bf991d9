"""connexion: routes come from OpenAPI documents, handlers named by operationId."""
import connexion

application = connexion.FlaskApp(__name__, specification_dir="openapi/")
application.add_api("library.yaml", base_path="/v2")
application.add_api("legacy.json")

if __name__ == "__main__":
    application.run(port=8080)
