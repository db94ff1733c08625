//! The AWS account the provider's credentials belong to: STS GetCallerIdentity, asked once and
//! only when something needs it (an identity whose state holds no ARN to read it from).

use tokio::sync::OnceCell;

use super::errors::describe;

#[derive(Debug)]
pub struct Account {
    sts: aws_sdk_sts::Client,
    id: OnceCell<String>,
}

impl Account {
    pub fn new(sts: aws_sdk_sts::Client) -> Self {
        Self {
            sts,
            id: OnceCell::new(),
        }
    }

    /// The 12-digit account ID; an error names what failed.
    pub async fn id(&self) -> Result<String, String> {
        self.id
            .get_or_try_init(|| async {
                let out = self
                    .sts
                    .get_caller_identity()
                    .send()
                    .await
                    .map_err(|e| format!("STS GetCallerIdentity failed: {}", describe(&e)))?;
                out.account()
                    .map(str::to_string)
                    .ok_or_else(|| "STS GetCallerIdentity answered without an account.".to_string())
            })
            .await
            .cloned()
    }
}
