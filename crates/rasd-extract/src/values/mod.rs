//! Values: dates, times, counts, quantities, percentages and money, with normalized values.

mod calendar;
mod grammar;
mod lexicon;

pub use grammar::{day_of, find_values, ValueMatch};
pub use lexicon::Lexicon;
