// SPDX-License-Identifier: GPL-3.0-only
pragma solidity ^0.8.24;

// Model of Rocket Pool's RocketDepositPool (v1.4, version 4,
// rocket-pool/rocketpool@fef41a4f contracts/contract/deposit/RocketDepositPool.sol):
// deposit() with its checks in the real order and with the real revert
// strings (disabled, minimum, pool capacity, outdated contract), the deposit
// fee, rETH minting at getRethValue(net), the v1.4 collateral top-up (the
// shortfall of rETH's collateral target is sent to rETH first), and the
// views a client reads: getBalance, getNodeBalance, getUserBalance,
// getExcessBalance, getMaximumDepositAmount.
//
// Simplifications: the pool keeps its ETH itself (the real one keeps it in
// RocketVault under "rocketDepositPool"), and there is no minipool or
// megapool queue, so the queue capacity is only the "deposit.pool.requested.total"
// storage value (0 unless set by hand).
//
// MODEL-ONLY: assignToValidators(address,uint256), guardian only, sends
// excess pool ETH to an address standing for the beacon chain (the real
// pool assigns it to validators in the queue); it emits the real
// DepositAssigned event. The devnet oracle uses it so that not every
// deposited ether stays redeemable collateral.

interface RocketStorageForDepositPool {
    function getAddress(bytes32 _key) external view returns (address);
    function getGuardian() external view returns (address);
    function getUint(bytes32 _key) external view returns (uint256);
}

interface SettingsDepositForDepositPool {
    function getDepositEnabled() external view returns (bool);
    function getAssignDepositsEnabled() external view returns (bool);
    function getMinimumDeposit() external view returns (uint256);
    function getMaximumDepositPoolSize() external view returns (uint256);
    function getDepositFee() external view returns (uint256);
}

interface SettingsNetworkForDepositPool {
    function getTargetRethCollateralRate() external view returns (uint256);
}

interface NetworkBalancesForDepositPool {
    function getTotalETHBalance() external view returns (uint256);
}

interface RETHForDepositPool {
    function mint(uint256 _ethAmount, address _to) external;
    function depositExcess() external payable;
}

contract RocketDepositPool {
    uint256 internal constant calcBase = 1 ether;
    bytes32 internal constant nodeBalanceKey = "deposit.pool.node.balance";
    bytes32 internal constant requestedTotalKey = keccak256("deposit.pool.requested.total");

    uint8 public version = 4;
    RocketStorageForDepositPool internal immutable rocketStorage;

    event DepositReceived(address indexed from, uint256 amount, uint256 time);
    event DepositRecycled(address indexed from, uint256 amount, uint256 time);
    event DepositAssigned(address indexed minipool, uint256 amount, uint256 time);
    event ExcessWithdrawn(address indexed to, uint256 amount, uint256 time);

    modifier onlyThisLatestContract() {
        require(address(this) == rocketStorage.getAddress(keccak256("contract.addressrocketDepositPool")), "Invalid or outdated contract");
        _;
    }

    modifier onlyLatestContract(string memory _contractName, address _contractAddress) {
        require(_contractAddress == rocketStorage.getAddress(keccak256(abi.encodePacked("contract.address", _contractName))), "Invalid or outdated contract");
        _;
    }

    constructor(RocketStorageForDepositPool _rocketStorageAddress) {
        rocketStorage = _rocketStorageAddress;
    }

    function getContractAddress(string memory _contractName) internal view returns (address) {
        address contractAddress = rocketStorage.getAddress(keccak256(abi.encodePacked("contract.address", _contractName)));
        require(contractAddress != address(0x0), "Contract not found");
        return contractAddress;
    }

    function getBalance() public view returns (uint256) {
        return address(this).balance;
    }

    function getNodeBalance() public view returns (uint256) {
        return rocketStorage.getUint(nodeBalanceKey);
    }

    function getUserBalance() public view returns (int256) {
        return int256(getBalance()) - int256(getNodeBalance());
    }

    function getExcessBalance() public view returns (uint256) {
        uint256 capacity = rocketStorage.getUint(requestedTotalKey);
        uint256 balance = getBalance();
        if (capacity >= balance) {
            return 0;
        } else {
            return balance - capacity;
        }
    }

    function deposit() external payable onlyThisLatestContract {
        SettingsDepositForDepositPool settings = SettingsDepositForDepositPool(getContractAddress("rocketDAOProtocolSettingsDeposit"));
        require(settings.getDepositEnabled(), "Deposits into Rocket Pool are currently disabled");
        require(msg.value >= settings.getMinimumDeposit(), "The deposited amount is less than the minimum deposit size");
        // The real pool's balance is in the vault and excludes msg.value;
        // this one holds it already.
        uint256 capacityNeeded = getBalance();
        uint256 maxDepositPoolSize = settings.getMaximumDepositPoolSize();
        if (capacityNeeded > maxDepositPoolSize) {
            if (settings.getAssignDepositsEnabled()) {
                uint256 capacity = rocketStorage.getUint(requestedTotalKey);
                require(capacityNeeded <= maxDepositPoolSize + capacity, "The deposit pool size after depositing exceeds the maximum size");
            } else {
                revert("The deposit pool size after depositing exceeds the maximum size");
            }
        }
        uint256 depositFee = msg.value * settings.getDepositFee() / calcBase;
        uint256 depositNet = msg.value - depositFee;
        RETHForDepositPool(getContractAddress("rocketTokenRETH")).mint(depositNet, msg.sender);
        emit DepositReceived(msg.sender, msg.value, block.timestamp);
        processDeposit();
    }

    function getMaximumDepositAmount() external view returns (uint256) {
        SettingsDepositForDepositPool settings = SettingsDepositForDepositPool(getContractAddress("rocketDAOProtocolSettingsDeposit"));
        if (!settings.getDepositEnabled()) {
            return 0;
        }
        uint256 depositPoolBalance = getBalance();
        uint256 maxCapacity = settings.getMaximumDepositPoolSize();
        if (settings.getAssignDepositsEnabled()) {
            maxCapacity += rocketStorage.getUint(requestedTotalKey);
        }
        if (depositPoolBalance >= maxCapacity) {
            return 0;
        }
        return maxCapacity - depositPoolBalance;
    }

    // Sends the shortfall of rETH's collateral target to rETH first (v1.4
    // processDeposit); the rest stays in the pool.
    function processDeposit() internal {
        uint256 toReth = _getRethCollateralShortfall();
        if (toReth > msg.value) {
            toReth = msg.value;
        }
        if (toReth > 0) {
            RETHForDepositPool(getContractAddress("rocketTokenRETH")).depositExcess{value: toReth}();
        }
    }

    function _getRethCollateralShortfall() internal view returns (uint256) {
        SettingsNetworkForDepositPool network = SettingsNetworkForDepositPool(getContractAddress("rocketDAOProtocolSettingsNetwork"));
        NetworkBalancesForDepositPool balances = NetworkBalancesForDepositPool(getContractAddress("rocketNetworkBalances"));
        uint256 targetCollateralRate = network.getTargetRethCollateralRate();
        uint256 rocketTokenRETHBalance = getContractAddress("rocketTokenRETH").balance;
        uint256 targetCollateral = balances.getTotalETHBalance() * targetCollateralRate / calcBase;
        if (targetCollateral > rocketTokenRETHBalance) {
            return targetCollateral - rocketTokenRETHBalance;
        }
        return 0;
    }

    function withdrawExcessBalance(uint256 _amount) external onlyThisLatestContract onlyLatestContract("rocketTokenRETH", msg.sender) {
        require(_amount <= getExcessBalance(), "Insufficient excess balance for withdrawal");
        RETHForDepositPool(msg.sender).depositExcess{value: _amount}();
        emit ExcessWithdrawn(msg.sender, _amount, block.timestamp);
    }

    // MODEL-ONLY (see the header).
    function assignToValidators(address payable _to, uint256 _amount) external {
        require(msg.sender == rocketStorage.getGuardian(), "Account is not a temporary guardian");
        require(_amount <= getExcessBalance(), "Insufficient excess balance for withdrawal");
        (bool ok, ) = _to.call{value: _amount}("");
        require(ok, "Transfer failed");
        emit DepositAssigned(_to, _amount, block.timestamp);
    }
}
