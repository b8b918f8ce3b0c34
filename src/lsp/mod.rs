//! `deployc lsp`: a language server over stdio.
//!
//! - diagnostics: every open document is checked on open and on every change
//!   (full text sync); all its diagnostics, warnings too, are published, and
//!   cleared when it is closed;
//! - go to definition and hover on the names of services, metrics, phases,
//!   contacts, severities and rollback levels (see [`index`]).
//!
//! The server keeps no state but the open documents' text and their name
//! index; it never reads or writes files.

mod convert;
pub mod index;
pub mod position;

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Exit,
    Notification as LspNotification, PublishDiagnostics,
};
use lsp_types::request::{GotoDefinition, HoverRequest, Request as LspRequest};
use lsp_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams,
    HoverProviderCapability, InitializeResult, Location, MarkupContent, MarkupKind, OneOf,
    PublishDiagnosticsParams, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, Uri,
};

use crate::source::SourceFile;
use index::{Index, Target};
use position::LineIndex;

/// Exit codes: 0 after `shutdown` then `exit`, 1 otherwise (as LSP asks).
const EXIT_CLEAN: i32 = 0;
const EXIT_UNCLEAN: i32 = 1;

/// Serves one client over stdin/stdout until it exits. Returns the process's
/// exit code.
pub fn run_stdio() -> i32 {
    let (connection, io_threads) = Connection::stdio();
    let code = match serve(&connection) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("deployc lsp: {e}");
            // The reader thread may still wait on stdin; exiting ends it.
            return EXIT_UNCLEAN;
        }
    };
    drop(connection);
    if let Err(e) = io_threads.join() {
        eprintln!("deployc lsp: {e}");
        return EXIT_UNCLEAN;
    }
    code
}

type Error = Box<dyn std::error::Error + Send + Sync>;

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        definition_provider: Some(OneOf::Left(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..Default::default()
    }
}

fn serve(connection: &Connection) -> Result<i32, Error> {
    let (id, _params) = connection.initialize_start()?;
    let result = InitializeResult {
        capabilities: capabilities(),
        server_info: Some(ServerInfo {
            name: "deployc".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;

    let mut server = Server::default();
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection.handle_shutdown(&req)? {
                    return Ok(EXIT_CLEAN);
                }
                let response = server.request(req);
                connection.sender.send(response.into())?;
            }
            Message::Notification(n) if n.method == Exit::METHOD => return Ok(EXIT_UNCLEAN),
            Message::Notification(n) => {
                for out in server.notification(n) {
                    connection.sender.send(out.into())?;
                }
            }
            Message::Response(_) => {}
        }
    }
    // The client went away without `exit`.
    Ok(EXIT_UNCLEAN)
}

/// An open document.
struct Document {
    text: String,
    /// None when the text does not parse.
    index: Option<Index>,
}

#[derive(Default)]
struct Server {
    documents: HashMap<Uri, Document>,
}

impl Server {
    fn notification(&mut self, n: Notification) -> Vec<Notification> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) = n.extract::<DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                else {
                    return Vec::new();
                };
                let doc = p.text_document;
                self.update(doc.uri, doc.version, doc.text)
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) = n.extract::<DidChangeTextDocumentParams>(DidChangeTextDocument::METHOD)
                else {
                    return Vec::new();
                };
                // Full sync: the last change holds the whole text.
                match p.content_changes.into_iter().last() {
                    Some(change) => {
                        self.update(p.text_document.uri, p.text_document.version, change.text)
                    }
                    None => Vec::new(),
                }
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) = n.extract::<DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                else {
                    return Vec::new();
                };
                self.documents.remove(&p.text_document.uri);
                vec![publish(p.text_document.uri, Vec::new(), None)]
            }
            _ => Vec::new(),
        }
    }

    /// Stores the new text and checks it; returns its diagnostics to publish.
    fn update(&mut self, uri: Uri, version: i32, text: String) -> Vec<Notification> {
        let source = SourceFile::new(uri.path().as_str(), text);
        // A bug in the checker must not take the editor's server down.
        let analysed = catch_unwind(AssertUnwindSafe(|| {
            let checked = crate::check_source(&source);
            let index = crate::syntax::parse(&source.text)
                .ok()
                .map(|tree| Index::build(&tree));
            (checked, index)
        }));
        let (diagnostics, index) = match analysed {
            Ok((checked, index)) => {
                let lines = LineIndex::new(&source.text);
                let diagnostics = checked
                    .diagnostics
                    .iter()
                    .map(|d| convert::diagnostic(d, &lines, &uri))
                    .collect();
                (diagnostics, index)
            }
            Err(_) => {
                eprintln!("deployc lsp: checking {} panicked", uri.as_str());
                (Vec::new(), None)
            }
        };
        self.documents.insert(
            uri.clone(),
            Document {
                text: source.text,
                index,
            },
        );
        vec![publish(uri, diagnostics, Some(version))]
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let result = match req.method.as_str() {
            GotoDefinition::METHOD => req
                .extract::<GotoDefinitionParams>(GotoDefinition::METHOD)
                .map(|(_, p)| serde_json::to_value(self.definition(p))),
            HoverRequest::METHOD => req
                .extract::<HoverParams>(HoverRequest::METHOD)
                .map(|(_, p)| serde_json::to_value(self.hover(p))),
            _ => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("deployc lsp does not handle `{}`", req.method),
                )
            }
        };
        match result {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err(e)) => Response::new_err(id, ErrorCode::InternalError as i32, e.to_string()),
            Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string()),
        }
    }

    /// The open document and the byte offset of a position in it.
    fn locate(&self, uri: &Uri, position: lsp_types::Position) -> Option<(&Document, usize)> {
        let doc = self.documents.get(uri)?;
        let offset = LineIndex::new(&doc.text).offset(position);
        Some((doc, offset))
    }

    fn definition(&self, p: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
        let at = p.text_document_position_params;
        let (doc, offset) = self.locate(&at.text_document.uri, at.position)?;
        let Target::Item { decl, .. } = doc.index.as_ref()?.at(offset)? else {
            return None;
        };
        let range = LineIndex::new(&doc.text).range(decl.name_span);
        Some(GotoDefinitionResponse::Scalar(Location::new(
            at.text_document.uri,
            range,
        )))
    }

    fn hover(&self, p: HoverParams) -> Option<Hover> {
        let at = p.text_document_position_params;
        let (doc, offset) = self.locate(&at.text_document.uri, at.position)?;
        let (markdown, span) = match doc.index.as_ref()?.at(offset)? {
            Target::Item { decl, span } => (convert::hover_decl(decl, &doc.text), span),
            Target::Undeclared { r#ref } => (convert::hover_undeclared(r#ref)?, r#ref.span),
        };
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: markdown,
            }),
            range: Some(LineIndex::new(&doc.text).range(span)),
        })
    }
}

fn publish(
    uri: Uri,
    diagnostics: Vec<lsp_types::Diagnostic>,
    version: Option<i32>,
) -> Notification {
    Notification::new(
        PublishDiagnostics::METHOD.to_string(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        },
    )
}
