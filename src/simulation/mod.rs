//! JWT simulation (`/simulation`): minted test users, single chats and load
//! tests through the product's chat API, with their stored results.

pub mod page;
