//! The AI agent parts of the page: the trace page's Agent tab (summary, steps, conversation,
//! decisions, the price table) and the cross-trace AI tables in the services view. Everything
//! they show comes from `core::analysis::genai`.
pub mod agent_tab;
pub mod ai_tables;
pub mod conversation_view;
pub mod price_editor;
