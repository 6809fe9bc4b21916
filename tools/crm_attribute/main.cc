#include "attribute.h"

int main(int argc, char** argv) { return crm::tools::attribute_main(argc, argv, crm::tools::AttributeTool::kCrmAttribute); }
