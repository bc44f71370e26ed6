//! Parts several pages use: the SVG graph, sortable tables, copy and download buttons, values
//! computed in a task of their own (`deferred`) and identity-compared shared values.
pub mod copy_button;
pub mod deferred;
pub mod download;
pub mod export_menu;
pub mod flame_view;
pub mod graph_view;
pub mod lazy;
pub mod name;
pub mod shared;
pub mod stats_table;
