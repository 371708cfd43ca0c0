//! What the unit tests that talk to `fake-github` share: its one client of
//! the fake, under the name these tests call it by.

pub use fake_github::client_for as client_of;
