# Terraform 1.14 or later; OpenTofu has no action blocks.

# On demand, leaving nothing in state:
#   terraform apply -invoke=action.huaweicloud_fgs_async_invocation_cancel.stop_report
action "huaweicloud_fgs_async_invocation_cancel" "stop_report" {
  config {
    function_urn = "urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:report-generator:latest"
    request_id   = var.request_id
    timeout      = "2m"
  }
}

variable "request_id" {
  description = "The request ID of the async invocation to cancel."
  type        = string
}

# After another resource changes: here, stop the running job whenever a new
# version of its configuration is deployed.
resource "terraform_data" "report_config" {
  input = "v2"

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.huaweicloud_fgs_async_invocation_cancel.stop_report]
    }
  }
}
