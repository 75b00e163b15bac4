"""The language: VTL source -> tokens -> nodes -> Python source -> a render function, and the
Java-like runtime that function calls. Nothing here imports the layers built on it
(apigateway/, tools/, testing/, integrations/)."""
