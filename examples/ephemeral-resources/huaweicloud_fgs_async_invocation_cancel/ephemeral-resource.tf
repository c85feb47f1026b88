# Terraform 1.10 or later, or OpenTofu 1.12 or later. A pipeline step
# "cancel request X" that keeps no record in state: every apply sends the
# cancel once, and no plan sends it.
ephemeral "huaweicloud_fgs_async_invocation_cancel" "stop_report" {
  # Ephemeral resources are opened at plan too; terraform.applying is
  # false during every plan and true only while applying.
  enabled = terraform.applying

  function_urn = "urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:report-generator:latest"
  request_id   = var.request_id
  timeout      = "2m"
}

# Keep this check: OpenTofu opens an ephemeral resource at apply only when
# something reads it, and without it sends nothing. On Terraform and
# OpenTofu alike it warns "This apply sent no cancel" when an apply did not.
check "stop_report_cancel_sent" {
  assert {
    condition     = ephemeral.huaweicloud_fgs_async_invocation_cancel.stop_report.sent == terraform.applying
    error_message = "This apply sent no cancel: enabled was false."
  }
}

variable "request_id" {
  description = "The request ID of the async invocation to cancel."
  type        = string
}
