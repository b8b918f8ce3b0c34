// Starts `deployc lsp` for .deploy files. The grammar and the language
// configuration need no code; this file only wires up the language server.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate() {
  const command = vscode.workspace.getConfiguration("deployc").get("path") || "deployc";
  client = new LanguageClient(
    "deployc",
    "deployc",
    { command, args: ["lsp"] },
    { documentSelector: [{ scheme: "file", language: "deploy" }] }
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
