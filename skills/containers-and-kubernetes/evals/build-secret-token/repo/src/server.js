const express = require("express");
const { renderPage } = require("@example-org/ui-kit");

const app = express();
app.get("/", (req, res) => res.send(renderPage("home")));
app.listen(8080);
