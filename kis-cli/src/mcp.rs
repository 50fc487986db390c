//! placeholder
use crate::exit::Outcome;
/// Options.
pub struct McpArgs;
impl From<crate::cli::McpCli> for McpArgs {
    fn from(_: crate::cli::McpCli) -> Self {
        McpArgs
    }
}
/// Serve.
pub async fn serve(_kis: kis::Kis, _a: McpArgs) -> Outcome<()> {
    Ok(())
}
